from django.test import TestCase  # noqa: F401

# Create your tests here.
