"""Two reviewers acting on the same record at once, on real PostgreSQL connections."""

import threading
import time

import pytest
from django.db import connection

from core.choices import ReviewState
from core.models import WorkflowEvent
from core.workflow import services as chain
from core.workflow.errors import TransitionError
from households.models import Household


@pytest.mark.django_db(transaction=True)
def test_two_reviewers_at_once_exactly_one_succeeds(
    draft, clerk_a, township_reviewer_a, township_reviewer_a2
):
    chain.submit(record=draft, user=clerk_a)
    barrier = threading.Barrier(2)
    results: dict[str, str] = {}

    def act(name, user, action):
        try:
            record = Household.objects.get(pk=draft.pk)
            barrier.wait(timeout=10)
            if action == "approve":
                chain.approve(record=record, user=user)
            else:
                chain.return_to_lower(record=record, user=user, reason="资料不全")
            results[name] = "ok"
        except TransitionError as exc:
            results[name] = exc.messages[0]
        finally:
            connection.close()

    threads = [
        threading.Thread(target=act, args=("a", township_reviewer_a, "approve")),
        threading.Thread(target=act, args=("b", township_reviewer_a2, "return")),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)

    assert sorted(results) == ["a", "b"]
    winners = [k for k, v in results.items() if v == "ok"]
    assert len(winners) == 1, results
    loser_message = next(v for v in results.values() if v != "ok")
    assert "其他人处理中" in loser_message or "不能执行" in loser_message
    state = Household.objects.get(pk=draft.pk).review_state
    assert state == (ReviewState.PENDING_COUNTY if winners == ["a"] else ReviewState.RETURNED_TO_VILLAGE)
    assert WorkflowEvent.objects.filter(record_id=draft.pk).exclude(action="submit").count() == 1


@pytest.mark.django_db(transaction=True)
def test_record_held_by_another_reviewer_gives_a_clear_message(draft, clerk_a, township_reviewer_a):
    """While one transaction holds the row, a second connection is refused at once (NOWAIT)."""
    chain.submit(record=draft, user=clerk_a)
    holding = threading.Event()
    release = threading.Event()

    def hold():
        from django.db import transaction

        with transaction.atomic():
            Household.objects.select_for_update().get(pk=draft.pk)
            holding.set()
            release.wait(timeout=10)
        connection.close()

    holder = threading.Thread(target=hold)
    holder.start()
    assert holding.wait(timeout=10)
    try:
        with pytest.raises(TransitionError) as exc:
            chain.approve(record=draft, user=township_reviewer_a)
        assert exc.value.messages == ["该记录正由其他人处理中，请稍后刷新页面再试"]
    finally:
        release.set()
        holder.join(timeout=10)
    chain.approve(record=draft, user=township_reviewer_a)
    assert Household.objects.get(pk=draft.pk).review_state == ReviewState.PENDING_COUNTY


@pytest.mark.django_db(transaction=True)
def test_record_page_offers_its_steps_while_another_page_briefly_holds_the_row(
    draft, clerk_a, township_reviewer_a
):
    """A record page asks each step's service in advance (rolled back), and the service locks the
    row NOWAIT: while someone else's step holds it for a moment, the page asks again instead of
    leaving the reviewer without buttons for that view."""
    from core.workflow import actions as record_actions

    chain.submit(record=draft, user=clerk_a)
    holding = threading.Event()

    def hold_briefly():
        from django.db import transaction

        with transaction.atomic():
            Household.objects.select_for_update().get(pk=draft.pk)
            holding.set()
            time.sleep(0.15)
        connection.close()

    holder = threading.Thread(target=hold_briefly)
    holder.start()
    assert holding.wait(timeout=10)
    try:
        offered = [a.slug for a in record_actions.available_actions(draft, township_reviewer_a)]
    finally:
        holder.join(timeout=10)
    assert "approve" in offered
    assert "return" in offered
    assert Household.objects.get(pk=draft.pk).review_state == ReviewState.PENDING_TOWNSHIP
