from rest_framework import viewsets

from .models import Book
from .serializers import BookSerializer


class BookViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Book.objects.filter(in_stock=True).order_by("title")
    serializer_class = BookSerializer
