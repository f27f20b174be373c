/* location: the /location/metadata route. */
#include "location.h"

#include "api.h"
#include "app.h"
#include "node_lookup.h"
#include "place.h"
#include "reply.h"

struct dbqueue_task *location_handle(struct app *app, enum method method, const struct input *input,
                                     struct reply *reply)
{
    (void)method, (void)input;
    struct place place;
    node_lookup_place(app->node_lookup, &place);
    json_t *body = json_object();
    api_place_to_json(body, &place);
    reply_json(reply, 200, body);
    return NULL;
}
