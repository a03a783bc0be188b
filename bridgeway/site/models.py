"""No records of its own yet."""
