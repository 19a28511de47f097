"""A local stand-in for fabric's Customer ("data-customer") API; see README.md."""
