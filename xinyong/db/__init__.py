"""Database: typed tables (`db.tables`), engines and transactions (`db.session`), migrations."""
