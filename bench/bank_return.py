"""A bank's 回盘 of 200,000 lines matched and applied (target ≤ 10 s), set-based.

    DATABASE_URL=… python bench/bank_return.py [--lines 200000] [--county 219903] [--format fixed|xlsx]

Seeds (untimed) a confirmed 低保 roll of `--lines` lines by SQL on the county's first households
(generated when missing), each with an account. Then times: sending it (bank lines INSERT … SELECT
and the 代发 file), the 回盘 upload (read, checked against the batch, COPY into a temporary table,
matched by line number, applied by one UPDATE … FROM, follow-ups opened for the failures — every
200th line fails), and the same 回盘 uploaded again (everything already final: nothing changes)."""

from __future__ import annotations

import argparse
import io
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from assistance_common import county_region, ensure_county, timed  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from figures import figure  # noqa: E402

from assistance.banking.layouts import create_from_preset  # noqa: E402
from assistance.choices import LineResult  # noqa: E402
from assistance.models import BankLayout, BankLine, PaymentFailure, PaymentRoll  # noqa: E402
from assistance.services import bank  # noqa: E402
from core.models import User  # noqa: E402

MONTH = "2020-11-01"
IN_COUNTY = "(SELECT id FROM assistance_paymentroll WHERE county_id = %(county)s AND month = %(month)s)"
CLEAR = f"""
    DELETE FROM assistance_paymentline
        WHERE reissue_of_id IN (SELECT id FROM assistance_bankline WHERE batch_id IN
            (SELECT id FROM assistance_bankbatch WHERE roll_id IN {IN_COUNTY}));
    DELETE FROM assistance_paymentfailureevent WHERE pgh_obj_id IN (SELECT id FROM assistance_paymentfailure
        WHERE bank_line_id IN (SELECT id FROM assistance_bankline WHERE batch_id IN
            (SELECT id FROM assistance_bankbatch WHERE roll_id IN {IN_COUNTY})));
    DELETE FROM assistance_paymentfailure WHERE bank_line_id IN (SELECT id FROM assistance_bankline
        WHERE batch_id IN (SELECT id FROM assistance_bankbatch WHERE roll_id IN {IN_COUNTY}));
    DELETE FROM assistance_bankline WHERE batch_id IN
        (SELECT id FROM assistance_bankbatch WHERE roll_id IN {IN_COUNTY});
    DELETE FROM assistance_bankreturn WHERE batch_id IN
        (SELECT id FROM assistance_bankbatch WHERE roll_id IN {IN_COUNTY});
    DELETE FROM assistance_bankbatch WHERE roll_id IN {IN_COUNTY};
    DELETE FROM assistance_paymentline WHERE roll_id IN {IN_COUNTY};
    DELETE FROM assistance_paymentroll WHERE id IN {IN_COUNTY};
"""
# One line per household, paid to its head, to an account made from the household id.
SEED_LINES = """
    INSERT INTO assistance_paymentline (roll_id, month, program, case_id, kind, household_id, payee_name,
        payee_id_no, bank_name, bank_account, household_size, covered_persons, percap_income, standard_month,
        topup_amount, classified_amount, subsidy_amount, total_amount, in_phase_out, rates, parameter_ids,
        note, held)
    SELECT %(roll)s, %(month)s, 'dibao', h.id, 'regular', h.id, m.name, m.id_no, '西丰农商银行',
           '6221' || lpad(h.id::text, 15, '0'), 3, 3, 100, 323, 200 + h.id %% 300, 0, 0, 200 + h.id %% 300,
           false, '{}', '[]', '', false
    FROM (SELECT id FROM households_household WHERE village_id LIKE %(prefix)s ORDER BY id LIMIT %(n)s) h
    JOIN LATERAL (SELECT name, id_no FROM households_member WHERE household_id = h.id ORDER BY id LIMIT 1) m
      ON true
"""


def seed(county, n: int) -> PaymentRoll:
    params = {"county": county.code, "month": MONTH, "prefix": county.code[:6] + "%", "n": n}
    with transaction.atomic(), connection.cursor() as cur:
        # Seeding only: no per-row triggers (history, roll locks) while clearing and writing.
        cur.execute("SET LOCAL session_replication_role = replica")
        cur.execute(CLEAR, params)
        cur.execute(
            "INSERT INTO assistance_paymentroll (county_id, month, program, status, line_count, total_amount)"
            " VALUES (%(county)s, %(month)s, 'dibao', 'draft', 0, 0) RETURNING id",
            params,
        )
        params["roll"] = cur.fetchone()[0]
        cur.execute(SEED_LINES, params)
        cur.execute(
            "UPDATE assistance_paymentroll r SET status = 'confirmed', confirmed_at = now(),"
            " generated_at = now(), (line_count, total_amount) = (SELECT count(*), sum(total_amount)"
            " FROM assistance_paymentline l WHERE l.roll_id = r.id) WHERE r.id = %(roll)s",
            params,
        )
        cur.execute("ANALYZE assistance_paymentline; ANALYZE assistance_bankline")
    return PaymentRoll.objects.get(pk=params["roll"])


def the_return(batch, fmt: str) -> bytes:
    """The bank's answer, written fast (values, not objects): 成功 except every 200th line 销户."""
    spec = batch.layout_spec
    lines = BankLine.objects.filter(batch=batch, line_no__isnull=False).order_by("line_no")
    rows = lines.values_list("line_no", "bank_account", "payee_name", "amount")
    if fmt == "xlsx":
        from devdata.bank import bank_return

        return bank_return(batch, failed=dict.fromkeys(range(200, batch.line_count + 1, 200), "销户"))
    out = io.BytesIO()
    head = f"{batch.batch_no:<16}{batch.line_count:<8}{int(batch.total_amount * 100):<15}"
    out.write(head.encode() + b"\r\n")
    assert [c["width"] for c in spec["sections"]["result"]] == [16, 8, 32, 40, 15, 1, 6, 60]
    for line_no, account, name, amount in rows.iterator(chunk_size=20_000):
        failed = line_no % 200 == 0
        name_bytes = name.encode("gb18030")[:40].ljust(40)
        out.write(
            f"{batch.batch_no:<16}{line_no:<8}{account:<32}".encode()
            + name_bytes
            + f"{int(amount * 100):<15}{'F' if failed else 'S'}{'E101' if failed else '':<6}".encode()
            + ("账户已销户".encode("gb18030") if failed else b"")
            + b"\r\n"
        )
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--county", default="219903")
    parser.add_argument("--lines", type=int, default=200_000)
    parser.add_argument("--format", choices=["fixed", "xlsx"], default="fixed")
    args = parser.parse_args()
    ensure_county(args.county, args.lines)
    county = county_region(args.county)
    user = User.objects.filter(role="county_admin", region=county).first() or User.objects.create(
        username=f"bench_{args.county}", role="county_admin", region=county, is_staff=True
    )
    preset = "rcc_fixed" if args.format == "fixed" else "yikatong_xlsx"
    layout = BankLayout.objects.filter(county=county, name=f"bench-{preset}").first() or create_from_preset(
        county=county, preset=preset, name=f"bench-{preset}"
    )
    with timed(f"seed a confirmed roll of {args.lines} lines (untimed set-up)"):
        roll = seed(county, args.lines)
    print(f"  roll: {roll.line_count} lines, {roll.total_amount} 元")
    with timed("send: batch lines INSERT … SELECT + the 代发 file"):
        batch, file = bank.send_roll(roll=roll, layout=layout, user=user, reason="性能测试")
    print(f"  batch {batch.batch_no}: {batch.line_count} lines, file {len(file.content) / 2**20:.1f} MB")
    with timed("write the bank's 回盘 (untimed set-up)"):
        data = the_return(batch, args.format)
    print(f"  回盘 {len(data) / 2**20:.1f} MB ({args.format})")
    results: dict[str, float] = {}
    with timed(f"回盘 of {batch.line_count} lines: read, check, COPY, match, apply", results):
        upload = bank.upload_return(batch=batch, user=user, data=data, filename=f"回盘.{args.format}")
    print(f"  applied {upload.applied_count}, paid {upload.paid_count}, failed {upload.failed_count}")
    with timed("the same 回盘 again (all final: nothing changes)"):
        again = bank.upload_return(batch=batch, user=user, data=data, filename=f"回盘.{args.format}")
    print(f"  applied {again.applied_count}")
    roll.refresh_from_db()
    failures = PaymentFailure.objects.filter(bank_line__batch=batch).count()
    paid = BankLine.objects.filter(batch=batch, result=LineResult.PAID).count()
    print(f"  roll {roll.get_status_display()}, lines paid {paid}, follow-ups {failures}")
    print(f"  load average {os.getloadavg()[0]:.1f} / {os.getloadavg()[1]:.1f} / {os.getloadavg()[2]:.1f}")
    seconds = next(iter(results.values()))
    name = f"回盘 of {batch.line_count:,} lines matched and applied"
    figure(name, seconds, "s", target="≤ 10 s for 200,000 lines")


if __name__ == "__main__":
    main()
