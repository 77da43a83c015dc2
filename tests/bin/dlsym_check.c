/*
 * dlsym_check.c - checks that each PAM module exports only its pam_sm_*
 * entry points (pam-u2f tests/dlsym_check.c, done from the ELF file).
 *
 *   dlsym_check MODULE.so...
 *
 * For each module: dlopen(RTLD_NOW) must succeed (every symbol resolves),
 * the dynamic symbol table (.dynsym) must define no global or weak symbol
 * other than pam_sm_* functions and the linker's own markers (_init and
 * _fini in .init/.fini, __bss_start, _edata, _end without a type), at
 * least one pam_sm_* function must be defined, and dlsym must find each.
 * Prints one line per problem; exit 0 when all modules pass, 1 otherwise,
 * 2 on wrong usage.
 */
#include <dlfcn.h>
#include <elf.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_MODULE (64u * 1024u * 1024u)

struct image {
  const unsigned char *base;
  size_t size;
};

static int complain(const char *path, const char *what)
{
  printf("%s: %s\n", path, what);
  return 1;
}

/* True when [off, off + len) lies inside the image. */
static bool inside(const struct image *im, Elf64_Off off, Elf64_Xword len)
{
  return off <= im->size && len <= im->size - off;
}

static const Elf64_Shdr *section(const struct image *im, size_t i)
{
  const Elf64_Ehdr *eh = (const Elf64_Ehdr *)im->base;

  return (const Elf64_Shdr *)(im->base + eh->e_shoff +
                              i * sizeof(Elf64_Shdr));
}

static const char *section_name(const struct image *im, size_t i)
{
  const Elf64_Ehdr *eh = (const Elf64_Ehdr *)im->base;
  const Elf64_Shdr *names;
  const Elf64_Shdr *sh;

  if(eh->e_shstrndx == SHN_UNDEF || eh->e_shstrndx >= eh->e_shnum ||
     i >= eh->e_shnum)
    return "";
  names = section(im, eh->e_shstrndx);
  sh = section(im, i);
  if(!inside(im, names->sh_offset, names->sh_size) ||
     sh->sh_name >= names->sh_size)
    return "";
  return (const char *)im->base + names->sh_offset + sh->sh_name;
}

/* Judges one defined global symbol; prints and returns false when it is
 * not allowed.  *entries counts the pam_sm_* functions. */
static bool judge(const struct image *im, const char *path,
                  const Elf64_Sym *s, const char *name, void *handle,
                  unsigned *entries)
{
  int type = ELF64_ST_TYPE(s->st_info);
  const char *sec = section_name(im, s->st_shndx);

  if(!strncmp(name, "pam_sm_", 7) && type == STT_FUNC) {
    (*entries)++;
    if(dlsym(handle, name))
      return true;
    printf("%s: %s in .dynsym but not found by dlsym\n", path, name);
    return false;
  }
  if((!strcmp(name, "_init") && !strcmp(sec, ".init")) ||
     (!strcmp(name, "_fini") && !strcmp(sec, ".fini")))
    return true;
  if(type == STT_NOTYPE && (!strcmp(name, "__bss_start") ||
                            !strcmp(name, "_edata") ||
                            !strcmp(name, "_end")))
    return true;
  printf("%s: exports %s (type %d, section %s)\n", path, name, type,
         sec[0] ? sec : "?");
  return false;
}

/* Checks every defined global or weak symbol of the .dynsym section
 * sh, whose string table is section sh->sh_link. */
static int check_dynsym(const struct image *im, const char *path,
                        const Elf64_Shdr *sh, void *handle,
                        unsigned *entries)
{
  const Elf64_Ehdr *eh = (const Elf64_Ehdr *)im->base;
  const Elf64_Shdr *str;
  size_t i;
  size_t n;
  int bad = 0;

  if(sh->sh_link >= eh->e_shnum || sh->sh_entsize != sizeof(Elf64_Sym))
    return complain(path, "malformed .dynsym");
  str = section(im, sh->sh_link);
  if(!inside(im, sh->sh_offset, sh->sh_size) ||
     !inside(im, str->sh_offset, str->sh_size) || str->sh_size == 0 ||
     im->base[str->sh_offset + str->sh_size - 1] != '\0')
    return complain(path, "malformed .dynsym");
  n = sh->sh_size / sizeof(Elf64_Sym);
  for(i = 1; i < n; i++) {
    const Elf64_Sym *s = (const Elf64_Sym *)(im->base + sh->sh_offset) + i;
    int bind = ELF64_ST_BIND(s->st_info);

    if(s->st_shndx == SHN_UNDEF || s->st_name >= str->sh_size)
      continue;
    if(bind != STB_GLOBAL && bind != STB_WEAK && bind != STB_GNU_UNIQUE)
      continue;
    if(!judge(im, path, s,
              (const char *)im->base + str->sh_offset + s->st_name,
              handle, entries))
      bad = 1;
  }
  return bad;
}

static int check_image(const struct image *im, const char *path,
                       void *handle)
{
  const Elf64_Ehdr *eh = (const Elf64_Ehdr *)im->base;
  unsigned entries = 0;
  size_t i;
  int bad = 0;
  bool seen = false;

  if(im->size < sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG) ||
     eh->e_ident[EI_CLASS] != ELFCLASS64 ||
     eh->e_shentsize != sizeof(Elf64_Shdr) ||
     !inside(im, eh->e_shoff, (Elf64_Xword)eh->e_shnum * sizeof(Elf64_Shdr)))
    return complain(path, "not a 64-bit ELF file");
  for(i = 0; i < eh->e_shnum; i++) {
    const Elf64_Shdr *sh = section(im, i);

    if(sh->sh_type != SHT_DYNSYM)
      continue;
    seen = true;
    bad |= check_dynsym(im, path, sh, handle, &entries);
  }
  if(!seen)
    return complain(path, "no .dynsym section");
  if(!entries) {
    printf("%s: exports no pam_sm_* function\n", path);
    bad = 1;
  }
  return bad;
}

static int check_module(const char *path)
{
  struct image im = { NULL, 0 };
  struct stat st;
  void *map = MAP_FAILED;
  void *handle = NULL;
  int fd = -1;
  int bad = 1;
  char rel[4096];

  /* dlopen searches the library path for a name without a slash */
  if(!strchr(path, '/') &&
     snprintf(rel, sizeof(rel), "./%s", path) < (int)sizeof(rel))
    handle = dlopen(rel, RTLD_NOW | RTLD_LOCAL);
  else
    handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if(!handle) {
    printf("%s: dlopen: %s\n", path, dlerror());
    goto out;
  }
  fd = open(path, O_RDONLY | O_CLOEXEC);
  if(fd < 0 || fstat(fd, &st) || !S_ISREG(st.st_mode) ||
     st.st_size <= 0 || (unsigned long long)st.st_size > MAX_MODULE) {
    printf("%s: cannot read the file\n", path);
    goto out;
  }
  map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
  if(map == MAP_FAILED) {
    printf("%s: mmap failed\n", path);
    goto out;
  }
  im.base = map;
  im.size = (size_t)st.st_size;
  bad = check_image(&im, path, handle);
out:
  if(map != MAP_FAILED)
    munmap(map, im.size);
  if(fd >= 0)
    close(fd);
  if(handle)
    dlclose(handle);
  return bad;
}

int main(int argc, char **argv)
{
  int i;
  int bad = 0;

  if(argc < 2) {
    fprintf(stderr, "usage: dlsym_check MODULE.so...\n");
    return 2;
  }
  for(i = 1; i < argc; i++) {
    if(check_module(argv[i]))
      bad = 1;
    else
      printf("%s: ok\n", argv[i]);
  }
  return bad;
}
