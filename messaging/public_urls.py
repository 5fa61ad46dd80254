"""Public pages reached from links in e-mails: no sign-in, the signed token is the credential."""

from django.urls import path

from messaging import public_views

urlpatterns = [
    path("u/<str:token>", public_views.UnsubscribeView.as_view(), name="unsubscribe"),
    path("r/<str:token>", public_views.MessageResponseView.as_view(), name="message_response"),
]
