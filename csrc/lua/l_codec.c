/* l_codec.c — placeholder until this area's binding lands. */
#include "binding.h"

void glimpse_open_codec(lua_State *L)
{
    (void)L;
}
