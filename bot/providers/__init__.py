"""The service providers' side: admins and their provider, cohorts, invite codes, review, insight.

Every read and write here takes the acting admin's provider and filters by it, so an
admin of one provider can never reach another's rows, whatever id they type or forge.
"""
