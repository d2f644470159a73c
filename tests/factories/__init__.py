"""Factories: rows and forms that tests in several modules build the same way. Each creates what
it names through the ORM or the app's own forms, and returns the ids or slugs a test needs."""
