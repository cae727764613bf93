"""Vendor-agnostic core: settings, store, paging, params, errors, ids, fixtures."""
