"""A product's image: the version of its stored renditions (server/catalog/images.py).

`image_version` names the image's files in object storage
(`products/{product_id}/{image_version}-{size}.webp`); null when the product has no image. A new
upload writes new files under a new version, so URLs of the old image stay valid and cacheable
until they expire, and the old files are deleted once the new version is committed.

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("products", sa.Column("image_version", sa.String(32), nullable=True))


def downgrade() -> None:
    op.drop_column("products", "image_version")
