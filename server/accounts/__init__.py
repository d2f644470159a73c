"""Staff accounts: sign-in, sessions and password hashing."""
