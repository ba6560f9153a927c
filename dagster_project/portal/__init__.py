"""The submission portal (issue 20): a Django site above ``publish``.

Schools and counties upload files and read their receipts; counties review and the city
approves, each as the authenticated person. The portal reads the published BI snapshot
(never the working database) for what it shows, and writes to the warehouse only through
``store.review.act`` under the run lock. Nothing below ``portal`` imports it.
"""
