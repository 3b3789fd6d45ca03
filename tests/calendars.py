"""Holiday calendars and zones shared by the working-time and cadence tests."""

import holidays

ENGLAND = holidays.country_holidays("GB", subdiv="ENG")
NZ_AUCKLAND = holidays.country_holidays("NZ", subdiv="AUK")

# Zones with awkward offsets and DST rules: half-hour and 45-minute offsets, a 30-minute DST shift, none.
ZONES = [
    "Europe/London",
    "Pacific/Auckland",
    "Pacific/Chatham",
    "America/New_York",
    "Australia/Lord_Howe",
    "Asia/Kolkata",
]
HOLIDAYS = {
    "Europe/London": ENGLAND,
    "Pacific/Auckland": NZ_AUCKLAND,
    "Pacific/Chatham": holidays.country_holidays("NZ", subdiv="CIT"),
    "America/New_York": holidays.country_holidays("US", subdiv="NY"),
    "Australia/Lord_Howe": holidays.country_holidays("AU", subdiv="NSW"),
    "Asia/Kolkata": holidays.country_holidays("IN"),
}
