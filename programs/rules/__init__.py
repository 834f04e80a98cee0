"""Pure rule functions (domain.md (b)): inputs in, decision out; no ORM, no clock."""
