// Package outfile writes output files without destroying what the program
// did not create. A Target is checked before any work starts (the folder
// exists and may be written, the path is absent, a regular file the user
// may write, or a named pipe) and written at the end through a new
// temporary file in the target's folder, renamed over the target only when
// the whole output was written. Symbolic links are followed to their
// target; directories, device nodes, sockets and read-only files (by their
// mode bits, so that root is refused too) are errors naming the path.
package outfile
