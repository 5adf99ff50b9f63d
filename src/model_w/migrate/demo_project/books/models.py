from django.db import models


class Book(models.Model):
    title = models.CharField(max_length=200)
    author = models.CharField(max_length=200)
    price = models.DecimalField(decimal_places=2, max_digits=8)
    in_stock = models.BooleanField(default=True)

    def __str__(self):
        return str(self.title)
