"""Cohorts (入驻批次): the store, their rules, join links and QR codes, linked groups."""
