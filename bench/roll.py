"""Monthly payment roll of a county with ~200,000 低保 cases (the 1M-household synthetic county).

    DATABASE_URL=… python bench/roll.py [--county 219901]

Run bench/recalc.py first (it seeds the cases). Prints the first generation, a regeneration (same
roll: nothing rewritten) and the line count."""

from __future__ import annotations

import argparse

from assistance_common import ROLL_MONTH, county_region, timed
from django.db import connection

from assistance.choices import Program
from assistance.services.rolls import generate_roll

parser = argparse.ArgumentParser()
parser.add_argument("--county", default="219901")
args = parser.parse_args()
county = county_region(args.county)
with connection.cursor() as cur:
    cur.execute(
        "DELETE FROM assistance_paymentline WHERE roll_id IN "
        "(SELECT id FROM assistance_paymentroll WHERE county_id = %s AND status = 'draft')",
        [county.pk],
    )
    cur.execute(
        "SELECT count(*) FROM assistance_dibaocase c JOIN households_household h ON h.id = c.household_id "
        "WHERE h.village_id LIKE %s AND c.status IN ('active', 'phasing_out')",
        [args.county + "%"],
    )
    print("paying cases:", cur.fetchone()[0])
with timed("roll generation (first)"):
    roll = generate_roll(county=county, month=ROLL_MONTH, program=Program.DIBAO)
print(f"  lines {roll.line_count}, total {roll.total_amount} 元")
with timed("roll regeneration (same roll, nothing rewritten)"):
    roll = generate_roll(county=county, month=ROLL_MONTH, program=Program.DIBAO)
print(f"  lines {roll.line_count}, total {roll.total_amount} 元")
