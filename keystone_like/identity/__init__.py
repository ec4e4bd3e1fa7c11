"""Identity domain logic (users, passwords); no HTTP and no eventlet here."""
