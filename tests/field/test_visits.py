"""Recording visits: photos made safe on the server, location flagged (never refused), idempotent."""

import datetime as dt
import io
import uuid
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from PIL import Image

from households.visits import VisitInput, record_visit
from programs.models import Parameter
from tests.factories import photo_bytes

pytestmark = pytest.mark.django_db
TODAY = dt.date.today()


def _input(household, **kwargs):
    return VisitInput(household_id=household.pk, visit_date=TODAY, content="了解收入", **kwargs)


def _upload(content: bytes, name="p.jpg", content_type="image/jpeg"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def test_photo_exif_stripped_except_time(helper, mine, media):
    visit, created = record_visit(user=helper, data=_input(mine, photos=[_upload(photo_bytes())]))
    photo = visit.photos.get()
    with photo.image.open("rb") as f:
        image = Image.open(io.BytesIO(f.read()))
        exif = image.getexif()
    assert image.format == "JPEG"
    assert 0x8825 not in exif  # no GPS
    assert 0x010F not in exif  # no camera make
    assert exif[0x0132] == "2026:11:20 09:30:00"
    assert exif.get_ifd(0x8769) == {0x9003: "2026:11:20 09:30:00"}
    assert photo.taken_at.strftime("%Y-%m-%d %H:%M") in {"2026-11-20 01:30", "2026-11-20 09:30"}
    assert str(photo.image.name).startswith("visits/")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"%PDF-1.4 not a photo" + b"0" * 100, "不是照片"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'></svg>", "不是照片"),
        (b"\xff\xd8\xff\xe0" + b"broken" * 20, "已损坏"),
    ],
)
def test_photo_type_sniffed_from_content_not_name(helper, mine, media, content, message):
    with pytest.raises(ValidationError) as exc:
        record_visit(user=helper, data=_input(mine, photos=[_upload(content, "photo.jpg")]))
    assert message in str(exc.value.message_dict["photos"])
    assert not mine.visits.exists()  # nothing half-written


def test_png_accepted_and_stored_as_jpeg(helper, mine, media):
    visit, _ = record_visit(user=helper, data=_input(mine, photos=[_upload(photo_bytes("PNG"), "x.png")]))
    assert visit.photos.get().width == 640


def test_photo_too_large_refused(helper, mine, media, settings):
    settings.FIELD_PHOTO_MAX_BYTES = 1024
    with pytest.raises(ValidationError) as exc:
        record_visit(user=helper, data=_input(mine, photos=[_upload(photo_bytes())]))
    assert "超过" in str(exc.value)


def test_too_many_photos_refused(helper, mine, media, settings):
    settings.FIELD_PHOTOS_PER_VISIT = 1
    with pytest.raises(ValidationError):
        record_visit(user=helper, data=_input(mine, photos=[_upload(photo_bytes()), _upload(photo_bytes())]))


def test_visit_far_from_home_is_flagged_not_refused(helper, mine):
    # 甲村 household at 42.5, 124.75; 0.05° of latitude ≈ 5.6 km away
    visit, _ = record_visit(
        user=helper,
        data=_input(mine, latitude=Decimal("42.55"), longitude=Decimal("124.75"), accuracy_m=20),
    )
    assert visit.far_from_home
    assert 5400 < visit.distance_m < 5700
    near, _ = record_visit(
        user=helper, data=_input(mine, latitude=Decimal("42.505"), longitude=Decimal("124.75"), accuracy_m=20)
    )
    assert not near.far_from_home


def test_distance_limit_is_a_dated_county_parameter(helper, mine):
    Parameter.objects.create(
        key="visit.max_distance_km", region_prefix=mine.village_id[:6], kind="decimal", value="10",
        unit="公里", valid_from=dt.date(2025, 1, 1), source="本县规定",
    )  # fmt: skip
    visit, _ = record_visit(
        user=helper, data=_input(mine, latitude=Decimal("42.55"), longitude=Decimal("124.75"))
    )
    assert not visit.far_from_home


def test_bad_input_gives_chinese_field_errors(helper, mine):
    data = _input(mine)
    data.visit_date = TODAY + dt.timedelta(days=1)
    data.content = " "
    with pytest.raises(ValidationError) as exc:
        record_visit(user=helper, data=data)
    assert exc.value.message_dict == {
        "visit_date": ["走访日期不能晚于今天"],
        "content": ["请填写走访内容（做了什么）"],
    }


def test_out_of_scope_household_is_404_and_city_cannot_record(helper, neighbour, city_supervisor, mine):
    with pytest.raises(Http404):
        record_visit(user=helper, data=_input(neighbour))
    with pytest.raises(PermissionDenied):
        record_visit(user=city_supervisor, data=_input(mine))


def test_same_client_id_from_another_user_is_refused(helper, clerk_a, mine):
    cid = uuid.uuid4()
    record_visit(user=helper, data=_input(mine, client_id=cid))
    with pytest.raises(ValidationError):
        record_visit(user=clerk_a, data=_input(mine, client_id=cid))
