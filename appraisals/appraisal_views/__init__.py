"""The annual appraisal screens, split by concern: the person's own appraisal
(mine), the agency's cycles (cycles), one appraisal's proposal, decision and
complaints (reviews) and the two PDF documents (documents).

Every record comes through hrms.policy (appraisals/appraisal_permissions.py
decides): outside the user's scope is a 404, in scope but not allowed a 403;
inspectors only read and each record they open is logged. Writes go through
appraisals/appraisal_services.py, whose refusals are shown with the rule's
message and citation.
"""
