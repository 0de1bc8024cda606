"""Sellers' data rights: what is stored about them (/mydata), erasure (/delete_me), and
the providers' retention periods that anonymize closed applications."""
