"""Filled in by the sequences work (issue 7)."""

urlpatterns: list = []
