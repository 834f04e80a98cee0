"""Pure rule functions (domain.md#rules): inputs in, decision out; no ORM, no clock."""
