"""The QuickBooks gateway: the only package that imports python-quickbooks or intuit-oauth.

Everything outside talks to QuickBooks through ``QBOGateway`` with plain dicts and frozen dataclasses
(``contracts``), and branches only on the small error family in ``errors``.
"""
