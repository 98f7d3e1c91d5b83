"""English as read in the EU, where the controller is: 31/12/2034 and 24-hour times, not the US month first.

Django's "en" formats are American; its "en_GB" ones are taken over whole (input formats included, so a
date typed or picked as 31/12/2034 is read as it is shown; ISO dates are always accepted too).
"""

from django.conf.locale.en_GB.formats import *  # noqa: F403

# Times on the 24-hour clock, as in the German pages and the audit trail (en_GB writes "2:05 p.m.").
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j M Y, H:i"
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
