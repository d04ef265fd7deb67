/* l_http.c — placeholder until this area's binding lands. */
#include "binding.h"

void glimpse_open_http(lua_State *L)
{
    (void)L;
}
