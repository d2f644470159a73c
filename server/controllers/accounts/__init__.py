"""Staff sign in and sign out."""
