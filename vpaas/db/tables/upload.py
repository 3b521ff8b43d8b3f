"""Upload tokens and the byte ranges their chunks have durably covered."""

from __future__ import annotations

from sqlalchemy import BigInteger, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from vpaas.db.base import Base, PartnerScoped, Timestamped


class UploadTokenRow(PartnerScoped, Timestamped, Base):
    """A file being received, possibly in chunks, before it is attached to an object."""

    __tablename__ = "upload_token"
    __table_args__ = (Index("ix_upload_token_status_updated", "status", "updated_at"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(256), default="")
    status: Mapped[int] = mapped_column(Integer, default=0)
    file_name: Mapped[str] = mapped_column(String(512), default="")
    file_size: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    uploaded_file_size: Mapped[int] = mapped_column(BigInteger, default=0)
    # The size fixed by the final chunk; the upload is complete once bytes cover it.
    final_size: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    auto_finalize: Mapped[int] = mapped_column(Integer, default=-1)
    attached_object_type: Mapped[str | None] = mapped_column(String(64), nullable=True)
    attached_object_id: Mapped[str | None] = mapped_column(String(64), nullable=True)


class UploadChunkRow(PartnerScoped, Base):
    """A byte range ``[start_byte, end_byte)`` whose bytes are on disk in the staging file.

    Rows are only ever inserted (or all deleted when a token restarts), so concurrent chunks
    never lose each other's record.
    """

    __tablename__ = "upload_chunk"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    token_id: Mapped[str] = mapped_column(String(40), index=True)
    start_byte: Mapped[int] = mapped_column(BigInteger)
    end_byte: Mapped[int] = mapped_column(BigInteger)
