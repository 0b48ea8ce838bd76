"""Surfaces for browsers and systems: API (`api/`), public portal (`portal/`), admin (`admin/`)."""
