/*
 * An LD_PRELOAD shim for the load driver's Kamailio (KamailioLauncher), used only when Kamailio's xmpp
 * module crashes without it.
 *
 * Kamailio 5.6's xmpp module (xstream.c, its copy of jabberd's xode stream) copies the attributes of
 * each element expat reports by walking expat's attribute array until it finds an attribute whose
 * name is empty. Expat ends that array with a NULL pointer instead (expat.h, XML_StartElementHandler),
 * so the module's XMPP process dereferences NULL on the first element it parses - Prosody's stream
 * header - and dies with SIGSEGV; Kamailio's main process then stops every process (seen with Debian
 * 12's kamailio-xmpp-modules 5.6.3 and its libexpat1 2.5.0; Kamailio's issue tracker has the same
 * crash with Prosody as #4154).
 *
 * The shim wraps the start-element handler the module gives expat: the handler then gets a copy of
 * the attribute array that ends with an empty name, as the module expects. Nothing else changes; the
 * copy costs a few nanoseconds per element.
 *
 * Built by the driver in its work directory:  cc -shared -fPIC -O2 -o kamailio-expat-shim.so kamailio-expat-shim.c
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

typedef void (*start_handler)(void *user_data, const char *name, const char **attributes);
typedef void (*end_handler)(void *user_data, const char *name);
typedef void (*set_element_handler)(void *parser, start_handler start, end_handler end);

/* More attributes than any stanza of the load runs carries; the rest would be dropped. */
#define MAX_ATTRIBUTES 128

/* The module's handler. Its XMPP process parses one stream at a time, with the same handler. */
static start_handler module_start;

static void start_element(void *user_data, const char *name, const char **attributes)
{
    const char *terminated[2 * MAX_ATTRIBUTES + 1];
    int n = 0;
    while (attributes != NULL && attributes[n] != NULL && n < 2 * MAX_ATTRIBUTES) {
        terminated[n] = attributes[n];
        terminated[n + 1] = attributes[n + 1];
        n += 2;
    }
    terminated[n] = "";
    module_start(user_data, name, terminated);
}

/* Interposes expat's own: the module is loaded with dlopen, so expat is looked up by its soname. */
void XML_SetElementHandler(void *parser, start_handler start, end_handler end)
{
    void *expat = dlopen("libexpat.so.1", RTLD_NOW | RTLD_NOLOAD);
    set_element_handler real = (set_element_handler) dlsym(expat != NULL ? expat : RTLD_NEXT,
            "XML_SetElementHandler");
    if (real == NULL) {
        fprintf(stderr, "kamailio-expat-shim: XML_SetElementHandler not found in libexpat.so.1: %s\n", dlerror());
        abort();
    }
    module_start = start;
    real(parser, start == NULL ? NULL : start_element, end);
}
