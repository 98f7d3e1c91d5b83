"""Installed packages' German that the portal corrects: formal address, country names."""

from django import forms
from django.utils import translation
from django_countries import countries


def test_form_errors_address_the_user_formally():
    class Form(forms.Form):
        email = forms.EmailField()

    with translation.override("de"):
        form = Form({"email": "kein-at-zeichen"})
        assert form.errors["email"] == ["Geben Sie eine gültige E-Mail-Adresse an."]


def test_country_names_are_spelled_right_in_german():
    with translation.override("de"):
        names = dict(countries)
    assert (names["KI"], names["GD"], names["FO"], names["HK"]) == ("Kiribati", "Grenada", "Färöer", "Hongkong")
