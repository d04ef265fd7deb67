/* l_model.c — placeholder until this area's binding lands. */
#include "binding.h"

void glimpse_open_model(lua_State *L)
{
    (void)L;
}
