from django.urls import path

from . import views

app_name = "requests_app"

urlpatterns = [
    path("", views.QueueView.as_view(), name="queue"),
    path("new/", views.IntakeView.as_view(), name="intake"),
    path("requests/<int:pk>/", views.ReceiptView.as_view(), name="receipt"),
    path("contact/", views.ContactCheckView.as_view(), name="contact_check"),
]
