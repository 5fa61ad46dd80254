from django.urls import path

from messaging.webhooks import inbound_email

urlpatterns = [
    path("inbound/email", inbound_email, name="inbound_email"),
]
