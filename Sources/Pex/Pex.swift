// The archive engine (zip writer and strict reader, deflate, pipeline) and the layouts built on it.
