"""modelw-migrate: move a legacy Django project onto the Model W architecture."""

__version__ = "0.1.0"
