"""The contact card's route, apart from the contacts' other routes (see ``routes``)."""
