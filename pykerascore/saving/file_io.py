"""Crash-safe file replacement and the overwrite prompt shared by the model savers. A save
writes a temporary file next to the target and renames it over the target only when complete,
so a crash or kill mid-save leaves the previous file whole. Nothing here knows file formats."""

import os
import tempfile


def atomic_write(path, write):
    """Calls `write(tmp_path)` on a fresh temporary path in `path`'s folder, then renames it
    over `path`. Temporary names are unique, so one left by a killed save never blocks a later
    save; on any error the temporary file is removed and `path` is untouched."""
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix="." + os.path.basename(path) + ".", suffix=".tmp")
    os.close(fd)
    try:
        # mkstemp makes the file private (0600); give it the mode a plain open() would.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        write(tmp)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


def may_write(path, overwrite):
    """False when `path` exists, overwrite=False, and the user declines at Keras's prompt."""
    if overwrite or not os.path.exists(path):
        return True
    from pykerascore.saving.weights_h5 import _ask_to_proceed_with_overwrite

    return _ask_to_proceed_with_overwrite(path)
