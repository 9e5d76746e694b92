"""Housekeeping: what a crash leaves behind, found and removed safely.

A process killed in the middle of an import leaves its work folder (``work_folders``)
and media files it had placed in the store but whose rows it never committed
(``orphan_media``). Both are swept when the controller starts (``at_start``) and by
``pano-controller media sweep``; each rule says why it never removes what a live
process or a row still uses."""
