"""Messages of installed packages whose German translation is wrong for the portal, translated again in
locale/ (LOCALE_PATHS take precedence over every app's catalogue).

* Django REST framework words its messages informally ("Gib …", "Stelle sicher …"), and installed apps'
  catalogues take precedence over Django's own: its "Gib eine gültige E-Mail Adresse an." replaced Django's
  wording in every form of the portal, not only in the API. The portal addresses its users as "Sie".
* django-countries misspells some German country names (the register's countries of systems and recipients).
"""

from django.utils.translation import gettext_noop

FORMAL_OVERRIDES = [
    gettext_noop("Enter a valid email address."),
    gettext_noop("Enter a valid URL."),
    gettext_noop('Enter a valid "slug" consisting of letters, numbers, underscores or hyphens.'),
    gettext_noop('Enter a valid "slug" consisting of Unicode letters, numbers, underscores, or hyphens.'),
    gettext_noop("Upload a valid image. The file you uploaded was either not an image or a corrupted image."),
    gettext_noop("Ensure this field has at least {min_length} characters."),
    gettext_noop("Ensure this field has no more than {max_length} characters."),
    gettext_noop("Ensure this filename has at most {max_length} characters (it has {length})."),
    gettext_noop("Ensure this value is greater than or equal to {min_value}."),
    gettext_noop("Ensure this value is less than or equal to {max_value}."),
    gettext_noop("Ensure that there are no more than {max_digits} digits in total."),
    gettext_noop("Ensure that there are no more than {max_decimal_places} decimal places."),
    gettext_noop("Ensure that there are no more than {max_whole_digits} digits before the decimal point."),
]

COUNTRY_NAMES = [
    gettext_noop("Faroe Islands"),
    gettext_noop("Grenada"),
    gettext_noop("Hong Kong"),
    gettext_noop("Kiribati"),
]
