return { status = "Fine", message = "" }
