"""Deployment of the CRM to AWS: the CloudFormation merged into `chalice package`, and its deployer.

Nothing here ships in the Lambda bundle (Chalice packages only ``app.py`` and ``chalicelib/``).
"""
