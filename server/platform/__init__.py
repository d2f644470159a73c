"""What the server runs on: the database engine, serving with several workers, backups, migrations and the mail sender."""
