"""The demo's two 帮扶责任人 accounts have households to visit on the phone: assigned households (the
earlier pairing kept as history), visits with generated photos and a location, one overdue."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from core.models import User
from core.scoping import scoped
from households.models import HelperAssignment, Household, Visit, VisitPhoto

pytestmark = pytest.mark.django_db


def test_demo_helpers_have_households_visits_and_photos(media):
    out = io.StringIO()
    call_command("load_demo", "--households", "30", stdout=out)
    assert "bangfu_li" in out.getvalue()
    assert "bangfu_wang" in out.getvalue()
    li, wang = User.objects.get(username="bangfu_li"), User.objects.get(username="bangfu_wang")
    mine = set(scoped(Household.objects.all(), li).values_list("pk", flat=True))
    theirs = set(scoped(Household.objects.all(), wang).values_list("pk", flat=True))
    assert len(mine) >= 3
    assert len(theirs) >= 3
    assert not mine & theirs
    # the pairing before the helper's is history, not overwritten
    assert HelperAssignment.objects.filter(household_id__in=mine, end__isnull=False).count() == len(mine)
    visits = Visit.objects.filter(recorded_by=li)
    assert visits.exists()
    assert all(v.latitude is not None and v.accuracy_m for v in visits)
    assert VisitPhoto.objects.filter(visit__recorded_by__in=[li, wang]).count() >= 4
    month_ago = timezone.localdate() - dt.timedelta(days=30)
    unvisited = [pk for pk in mine if not Visit.objects.filter(household_id=pk, visit_date__gte=month_ago)]
    assert unvisited
    call_command("load_demo", "--households", "30", stdout=io.StringIO())
    assert Visit.objects.filter(recorded_by=li).count() == visits.count()
