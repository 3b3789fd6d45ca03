"""The Web API's files: the two-step external upload (and the upload URL it hands out), and delete."""

from __future__ import annotations

import copy
import mimetypes

from bot.sandbox.api_base import WORKSPACE_URL, ApiBase
from bot.sandbox.api_errors import ApiError
from bot.sandbox.api_params import int_arg, str_arg
from bot.sandbox.workspace import DEFAULT_TS_BASE, Json

# files.getUploadURLExternal refuses a longer alt_txt with alt_txt_too_large ("Description for the image
# is longer than the limit of 1000 character", the method's documented errors).
ALT_TXT = 1000


class FilesApi(ApiBase):
    _uploads: dict[str, Json]  # file_id -> {filename, length, content} until completed

    def _files_get_upload_url(self, p: Json) -> Json:
        filename = str_arg(p, "filename")
        length = int_arg(p, "length", 0)
        if not filename or length <= 0:
            raise ApiError("invalid_arguments")
        alt_txt = str_arg(p, "alt_txt")
        if len(alt_txt) > ALT_TXT:
            raise ApiError("alt_txt_too_large")
        file_id = self.new_id("F")
        self._uploads[file_id] = {"filename": filename, "length": length, "content": None, "alt_txt": alt_txt}
        return {"upload_url": f"{self.root_url}upload/v1/{file_id}", "file_id": file_id}

    def _files_complete_upload(self, p: Json) -> Json:
        items = p.get("files")
        if not isinstance(items, list) or not items or not all(isinstance(i, dict) for i in items):
            raise ApiError("invalid_arguments")
        channel_ids = [c for c in [str_arg(p, "channel_id"), *str_arg(p, "channels").split(",")] if c]
        channels = [self._writable(c) for c in channel_ids]
        for item in items:
            upload = self._uploads.get(str(item.get("id")))
            if upload is None or upload["content"] is None:
                raise ApiError("file_not_found")
            if len(upload["content"]) != upload["length"]:
                raise ApiError(
                    "invalid_arguments",
                    messages=[
                        f"[ERROR] uploaded {len(upload['content'])} bytes, declared {upload['length']}"
                    ],
                )
        comment, thread_ts = str_arg(p, "initial_comment"), str_arg(p, "thread_ts") or None
        uploads = [
            (str(item["id"]), str(item.get("title") or ""), self._uploads.pop(str(item["id"])))
            for item in items
        ]
        objects = [
            self._file_object(file_id, upload, title or upload["filename"])
            for file_id, title, upload in uploads
        ]
        shared_ts = None
        for channel in channels:
            # Sharing posts one message carrying the files and the comment, as Slack shows it.
            message = self.bot_message(comment, None)
            message.update(files=copy.deepcopy(objects), upload=True)
            shared_ts = (
                shared_ts or self.append_message(channel, message, thread_ts=thread_ts, kind=None)["ts"]
            )
        target = channels[0] if channels else None
        for (file_id, _, upload), obj in zip(uploads, objects, strict=True):
            self.add_file(
                {
                    "id": file_id,
                    "title": obj["title"],
                    "filename": upload["filename"],
                    "content": upload["content"],
                    "channel_id": target.id if target else None,
                    "user": target.dm_user if target else None,  # set when shared in a DM
                    "initial_comment": comment,
                    "thread_ts": thread_ts,
                    "alt_txt": upload.get("alt_txt") or None,
                    "ts": shared_ts,  # the share message's ts, None if not shared
                }
            )
        return {"files": objects}

    def _file_object(self, file_id: str, upload: Json, title: str) -> Json:
        filename = upload["filename"]
        filetype = filename.rsplit(".", 1)[-1].lower() if "." in filename else "binary"
        return {
            "id": file_id,
            "created": int(DEFAULT_TS_BASE),
            "timestamp": int(DEFAULT_TS_BASE),
            "name": filename,
            "title": title,
            "mimetype": mimetypes.guess_type(filename)[0] or "application/octet-stream",
            "filetype": filetype,
            "pretty_type": filetype.upper(),
            "user": self.bot_user_id,
            "user_team": self.team_id,
            "size": len(upload["content"]),
            "mode": "hosted",
            "is_external": False,
            "is_public": False,
            "url_private": f"{WORKSPACE_URL}/files-pri/{self.team_id}-{file_id}/{filename}",
            "permalink": f"{WORKSPACE_URL}/files/{self.bot_user_id}/{file_id}/{filename}",
            "channels": [],
            "groups": [],
            "ims": [],
            "shares": {},
            "comments_count": 0,
        }

    def _files_delete(self, p: Json) -> Json:
        """A bot may delete the files it uploaded; the share message then shows the file as deleted."""
        file_id = str_arg(p, "file")
        record = next((f for f in self._files if f["id"] == file_id), None)
        if record is None:
            raise ApiError("file_not_found")
        if record.get("deleted"):
            raise ApiError("file_deleted")
        record.update(deleted=True, content=b"")
        for channel in self.channels.values():
            for message in channel.messages:
                for shared in message.get("files", []):
                    if shared.get("id") == file_id:
                        shared.clear()
                        shared.update(id=file_id, mode="tombstone")
        self.log("file_deleted", id=file_id)
        return {}

    def receive_upload(self, file_id: str, body: bytes) -> tuple[int, bytes, dict[str, str]]:
        """The upload URL handed out by files.getUploadURLExternal: store the POSTed bytes."""
        with self.lock:
            upload = self._uploads.get(file_id)
            if upload is None:
                return 404, b"upload not found", {"Content-Type": "text/plain"}
            upload["content"] = body
        return 200, f"OK - {len(body)}".encode(), {"Content-Type": "text/plain; charset=utf-8"}
