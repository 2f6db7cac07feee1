/* atomicfile — whole files through a temporary and a rename; see atomicfile.h. */
#include "atomicfile.h"
#include "errmsg.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int atomic_open(struct atomic_file *af, const char *path, char *err, size_t errlen)
{
	af->f = NULL;
	if ((size_t)snprintf(af->path, sizeof(af->path), "%s", path) >= sizeof(af->path))
		return errmsg_set(err, errlen, "%s: path too long", path);
	struct stat st;
	af->direct = stat(path, &st) == 0 && !S_ISREG(st.st_mode);
	snprintf(af->tmp, sizeof(af->tmp), "%s%s", path, af->direct ? "" : ".tmp");
	if (!(af->f = fopen(af->tmp, "w")))
		return errmsg_set(err, errlen, "%s: %s", af->tmp, strerror(errno));
	return 0;
}

int atomic_commit(struct atomic_file *af, char *err, size_t errlen)
{
	int rc = 0;
	errno = 0;
	if (fflush(af->f) || ferror(af->f) || (!af->direct && fsync(fileno(af->f))))
		rc = errmsg_set(err, errlen, "%s: %s", af->tmp, strerror(errno ? errno : EIO));
	if (fclose(af->f) && !rc)
		rc = errmsg_set(err, errlen, "%s: %s", af->tmp, strerror(errno));
	af->f = NULL;
	if (af->direct)
		return rc;
	if (!rc && rename(af->tmp, af->path))
		rc = errmsg_set(err, errlen, "%s: %s", af->path, strerror(errno));
	if (rc)
		unlink(af->tmp);
	return rc;
}

void atomic_abort(struct atomic_file *af)
{
	if (af->f)
		fclose(af->f);
	af->f = NULL;
	if (!af->direct)
		unlink(af->tmp);
}
