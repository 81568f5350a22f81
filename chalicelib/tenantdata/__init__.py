"""Tenant data: export, import and deletion of a whole tenant."""
