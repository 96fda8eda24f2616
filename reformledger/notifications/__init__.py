"""Notices and reminders (提醒): in the app and by e-mail, sent by the task queue (Huey)."""
