"""Open Referral (HSDS 3 / Open Referral UK): the directory in and out, in one place.

``hsds`` maps a service, as plain data, to an HSDS 3 compiled service and back (no Django);
``exchange`` reads services from the database for an export, ``importing`` writes a feed into
it in bulk, ``tabular`` writes the HSDS tabular package and ``feed`` answers the Open Referral
UK API's filters.
"""
